derive - --stage act --format text
