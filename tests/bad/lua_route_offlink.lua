-- Checked at build time, as in JSON.
router{name = "r1", interfaces = {{name = "eth0", ip = "10.0.1.1/24"}},
       routes = {{to = "10.9.0.0/16", via = "10.0.3.254"}}}
