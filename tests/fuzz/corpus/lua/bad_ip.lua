host{name="a", interfaces={{name="eth0", ip="10.0.0.300/24"}}}
