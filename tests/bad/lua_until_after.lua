-- A timeline entry after the end of the run.
scenario{duration = "5s"}
host{name = "pc1", interfaces = {{name = "eth0", ip = "10.0.0.1/24"}}}
at{at = "9s", node = "pc1", run = "arp -a"}
