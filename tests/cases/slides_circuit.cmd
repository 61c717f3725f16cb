slides samples/circuit.net --wrt x
