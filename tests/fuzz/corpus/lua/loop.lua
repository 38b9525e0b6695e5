for i = 1, 5 do host{name = "h" .. i, interfaces = {{name = "eth0", ip = "10.0.0." .. i .. "/24"}}} end
switch{name = "s", ports = 8}
for i = 1, 5 do link{a = "h" .. i .. ":eth0", b = "s:" .. i} end
every(0.1, function(n) if n < 3 then run("h1", "ping -c 1 10.0.0." .. n + 1) end end)
on_packet("ARP", function(p) local _ = p.eth and p.layers[1].fields end)
