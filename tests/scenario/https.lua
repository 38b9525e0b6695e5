-- https.lua - scenarios/bundled/https.json written in Lua, for
-- lua-same-pcap.sh: pki{...} gives the same CA, the same certificates and
-- so the same TLS bytes on the wire as JSON's "pki". The curls run from
-- callbacks and their outputs are checked there.

scenario{name = "HTTP and HTTPS: the same page, in clear and under TLS", seed = 443,
         duration = "20s"}

for i, name in ipairs({"pc1", "pc2"}) do
  host{name = name, interfaces = {{name = "eth0", ip = "10.44.0." .. (9 + i) .. "/24"}},
       dns = {"10.44.0.53"}}
end
switch{name = "sw1", ports = 8}
server{name = "ns1", interfaces = {{name = "eth0", ip = "10.44.0.53/24"}},
       services = {dns = {records = {
         {name = "www.harbor.test", type = "A", value = "10.44.0.80"},
         {name = "lab.harbor.test", type = "A", value = "10.44.0.81"}}}}}
server{name = "web", interfaces = {{name = "eth0", ip = "10.44.0.80/24"}},
       services = {http = {tls = true, files = {
         ["/index.html"] = "<h1>Harbor</h1>\n<p>See /secret.html</p>\n",
         ["/secret.html"] = "<p>The door code is FLAG{ANYONE-CAN-READ-ME}</p>\n",
         ["/vault.html"] = "<p>The vault code is FLAG{ONLY-TLS-HIDES-ME}</p>\n"}}}}
server{name = "lab", interfaces = {{name = "eth0", ip = "10.44.0.81/24"}},
       services = {http = {tls = true, plain = false,
                           files = {["/index.html"] = "<p>lab test page</p>\n"}}}}
for port, name in ipairs({"pc1", "pc2", "ns1", "web", "lab"}) do
  link{a = name .. ":eth0", b = "sw1:" .. port}
end
pki{ca = {name = "Harbor Root CA"}, signs = {"web"}, trusted_by = {"pc1"}}

local function curl(at_time, node, args, want, code)
  at(at_time, function()
    run(node, "curl " .. args, function(out, status)
      expect(out:find(want, 1, true) ~= nil and status == code,
             node .. ": curl " .. args .. " -> " .. code)
    end)
  end)
end
curl("1s", "pc1", "http://www.harbor.test/secret.html", "FLAG{ANYONE-CAN-READ-ME}", 0)
curl("1500ms", "pc1", "https://www.harbor.test/secret.html", "FLAG{ANYONE-CAN-READ-ME}", 0)
curl("2s", "pc1", "https://www.harbor.test/vault.html", "FLAG{ONLY-TLS-HIDES-ME}", 0)
curl("3s", "pc1", "-v https://web/", "*  issuer: CN=Harbor Root CA", 0)
curl("4s", "pc1", "https://lab.harbor.test/", "self-signed certificate", 60)
curl("5s", "pc1", "-k https://lab.harbor.test/", "lab test page", 0)
curl("6s", "pc1", "http://lab.harbor.test/", "Connection refused", 7)
curl("7s", "pc2", "https://www.harbor.test/", "unable to get local issuer certificate", 60)
curl("8s", "pc1", "https://10.44.0.80/", "no alternative certificate subject name", 60)
expect_packet{summary = "Client Hello", protocol = "TLSv1", min = 6}
expect_packet{summary = "Application Data", min = 6}
