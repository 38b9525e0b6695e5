host{name="a", interfaces={{name="eth0", ip="10.0.0.1/24"}}}
at("0.5s", function() print(now()) end)
