"""The command line's commands (``klen-desktop next``, ``agenda``, ``add``, ``status``, ``cancel``, ``free``,
``sync``): parsed in one place (:mod:`.parser`, which the man page is made from too), run by the running app over its
single-instance socket when it runs (:mod:`.protocol`, :mod:`.client`), else on a core of their own
(:mod:`.standalone`), and printed for people or scripts (:mod:`.output`). No Qt."""
