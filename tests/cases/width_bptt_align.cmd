derive samples/bptt.net --collapse --env align* --width 200pt
