derive tests/cases/lstm_forward.net --stage forward
