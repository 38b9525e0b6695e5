-- Commands need the running network: the top level runs before time 0.
host{name = "pc1", interfaces = {{name = "eth0", ip = "10.0.0.1/24"}}}
run("pc1", "ping -c 1 10.0.0.2")
