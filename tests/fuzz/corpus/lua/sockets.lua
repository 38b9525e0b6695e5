host{name="a", interfaces={{name="eth0", ip="10.0.0.1/24"}}}
host{name="b", interfaces={{name="eth0", ip="10.0.0.2/24"}}}
link{a="a:eth0", b="b:eth0"}
at(0, function()
  udp_open("b", 7, function(d, ip, port, s) s:sendto(ip, port, d) end)
  tcp_listen("b", 8, function(c) c:on{line = function(c, l) c:send(l) c:close() end} end)
end)
at(0.2, function()
  local s = udp_open("a", 0, function(d) expect(d == "x") end)
  s:sendto("10.0.0.2", 7, "x")
  tcp_connect("a", "10.0.0.2", 8, {connected = function(c) c:send("hi\n") end})
end)
