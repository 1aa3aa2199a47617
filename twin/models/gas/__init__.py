"""Gas network safety model: pandapipes hydraulics, leaks, crews, isolation and renewal."""
