-- One CA per scenario: a second pki{...} is an error on its line.
server{name = "web", interfaces = {{name = "eth0", ip = "10.0.0.80/24"}},
       services = {http = {tls = true}}}
pki{ca = {name = "First CA"}, signs = {"web"}}
pki{ca = {name = "Second CA"}, signs = {"web"}}
