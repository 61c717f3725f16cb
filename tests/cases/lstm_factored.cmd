derive tests/cases/lstm_forward.net --stage factored --format text
