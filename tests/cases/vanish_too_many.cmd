vanish samples/fc.net samples/fc.net samples/fc.net samples/fc.net samples/fc.net samples/fc.net samples/fc.net samples/fc.net samples/fc.net samples/fc.net samples/fc.net 
