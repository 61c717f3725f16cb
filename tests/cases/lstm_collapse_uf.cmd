derive samples/lstm.net --collapse --of c[3] --wrt Uf --format latex
