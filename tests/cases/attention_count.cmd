count samples/attention.net
