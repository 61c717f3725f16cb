render samples/circuit.net --values samples/circuit.values --format tikz
