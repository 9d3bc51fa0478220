TOP = "pkg_rel"
