render tests/cases/render_big.net
