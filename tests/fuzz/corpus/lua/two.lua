scenario{name = "Two hosts", seed = 7, ["until"] = "5s"}
host{name = "h1", interfaces = {{name = "eth0", ip = "10.0.0.1/24"}}}
host{name = "h2", interfaces = {{name = "eth0", ip = "10.0.0.2/24"}}}
link{a = "h1:eth0", b = "h2:eth0"}
at{at = "1s", node = "h1", run = "ping -c 1 10.0.0.2", expect = {contains = "1 received"}}
expect_packet{summary = "Who has 10.0.0.2", min = 1}
at("2s", function()
  run("h2", "arp -a", function(out, status)
    print("arp said: " .. out)
    expect(status == 0, "arp exits 0")
    local a = arp("h2")
    expect(#a == 1 and a[1].ip == "10.0.0.1", "h2 knows h1")
  end)
end)
on_packet("Echo", function(p) print(p.time, p.on, p.info, p.ip["Time to Live"]) end)
print(math.random(100), tostring({}), tostring(print))
for k, v in pairs({b=1, a=2, [3]=1, [1]=5}) do print(k, v) end
