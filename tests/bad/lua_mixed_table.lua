-- A table that is half list, half record.
host{name = "pc1", interfaces = {{name = "eth0", ip = "10.0.0.1/24"}, mtu = 1500}}
