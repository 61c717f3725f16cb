" Vim file type detection for pathgrad's .net files (pathgrad-net(5)).
autocmd BufRead,BufNewFile *.net setfiletype net
