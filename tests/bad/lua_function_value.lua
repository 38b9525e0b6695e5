-- Only data goes into the network.
host{name = "pc1", interfaces = {{name = "eth0", ip = function() return "10.0.0.1/24" end}}}
