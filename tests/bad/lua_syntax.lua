-- A syntax error names the file and line.
host{name = "pc1",
     interfaces = {{name = "eth0" ip = "10.0.0.1/24"}}}
