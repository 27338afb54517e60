var x = 1, y = "a\x41\u0042" + "c"; function g(p, q) { var r = p; return r + q; } g(x, 0x10); // c
/* d */ </script>