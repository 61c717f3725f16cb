derive samples/fc.net --stage factored --env equation*
