#!/usr/bin/env python3
"""Parsing oracle: Xen's own xl.cfg parser (libxlutil.so.4.17 from Debian's
libxenmisc4.17) driven through ctypes. Reads a JSON list of {name, text, keys} on stdin
and prints, for each, the errno of xlu_cfg_readdata, what the library wrote to its
report stream (the error lines), and each requested key read with xlu_cfg_get_string
and, for lists, xlu_cfg_get_list + xlu_cfg_get_listitem."""
import ctypes, json, os, sys, tempfile

lib = ctypes.CDLL("libxlutil.so.4.17")
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.fclose.argtypes = [ctypes.c_void_p]
libc.fflush.argtypes = [ctypes.c_void_p]
lib.xlu_cfg_init.restype = ctypes.c_void_p
lib.xlu_cfg_init.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
lib.xlu_cfg_readdata.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
lib.xlu_cfg_get_string.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int]
lib.xlu_cfg_get_long.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_long), ctypes.c_int]
lib.xlu_cfg_get_list.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_int), ctypes.c_int]
lib.xlu_cfg_get_listitem.restype = ctypes.c_char_p
lib.xlu_cfg_get_listitem.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.xlu_cfg_destroy.argtypes = [ctypes.c_void_p]

out = []
for case in json.load(sys.stdin):
    with tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False) as f:
        logpath = f.name
    rep = libc.fopen(logpath.encode(), b"w")
    cfg = lib.xlu_cfg_init(rep, case["name"].encode())
    data = case["text"].encode()
    rc = lib.xlu_cfg_readdata(cfg, data, len(data))
    values = {}
    for key in case.get("keys", []):
        s = ctypes.c_char_p()
        if lib.xlu_cfg_get_string(cfg, key.encode(), ctypes.byref(s), 1) == 0:
            values[key] = {"string": s.value.decode("latin-1")}
            continue
        lst = ctypes.c_void_p(); n = ctypes.c_int()
        if lib.xlu_cfg_get_list(cfg, key.encode(), ctypes.byref(lst), ctypes.byref(n), 1) == 0:
            items = []
            for i in range(n.value):
                it = lib.xlu_cfg_get_listitem(lst, i)
                items.append(None if it is None else it.decode("latin-1"))
            values[key] = {"list": items}
            continue
        values[key] = None
    lib.xlu_cfg_destroy(cfg)
    libc.fflush(rep); libc.fclose(rep)
    with open(logpath, encoding="latin-1") as f:
        report = [l for l in f.read().splitlines() if l]
    os.unlink(logpath)
    out.append({"name": case["name"], "rc": rc, "report": report, "values": values})
print(json.dumps(out))
