-- pki{...} goes through the JSON rules, with the Lua line.
server{name = "web", interfaces = {{name = "eth0", ip = "10.0.0.80/24"}},
       services = {http = {tls = true}}}
pki{ca = {name = "Harbor Root CA"},
    signs = {"web", "mail"}}
