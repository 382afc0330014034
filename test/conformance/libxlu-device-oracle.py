#!/usr/bin/env python3
"""Device-spec oracle: Xen's own parsers in libxlutil.so.4.17 (xlu_disk_parse,
xlu_pci_parse_spec_string, xlu_pci_parse_bdf, xlu_vif_parse_rate, xlu_rdm_parse) fill a
real libxl struct (libxl_device_*_init from libxenlight.so.4.17), which libxl's own
generated *_gen_json prints through yajl: the values are libxl's JSON, as `xl -N create`
shows them. Reads a JSON list of {kind, spec} on stdin (kind: disk | pci | bdf | rate |
rdm); prints, for each, {rc, report (lines the library wrote), json (parsed object)}."""
import ctypes, json, os, sys, tempfile

xlu = ctypes.CDLL("libxlutil.so.4.17")
xl = ctypes.CDLL("libxenlight.so.4.17")
yajl = ctypes.CDLL("libyajl.so.2")
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.fclose.argtypes = [ctypes.c_void_p]
libc.fflush.argtypes = [ctypes.c_void_p]
xlu.xlu_cfg_init.restype = ctypes.c_void_p
xlu.xlu_cfg_init.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
xlu.xlu_cfg_destroy.argtypes = [ctypes.c_void_p]
for f in ("xlu_pci_parse_spec_string", "xlu_pci_parse_bdf", "xlu_vif_parse_rate", "xlu_rdm_parse"):
    getattr(xlu, f).argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p]
xlu.xlu_vif_parse_rate.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
xlu.xlu_disk_parse.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p), ctypes.c_void_p]
yajl.yajl_gen_alloc.restype = ctypes.c_void_p
yajl.yajl_gen_alloc.argtypes = [ctypes.c_void_p]
yajl.yajl_gen_get_buf.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t)]
yajl.yajl_gen_free.argtypes = [ctypes.c_void_p]

STRUCT = {"disk": "device_disk", "pci": "device_pci", "bdf": "device_pci", "rate": "device_nic", "rdm": "rdm_reserve"}

def to_json(struct, obj):
    gen = yajl.yajl_gen_alloc(None)
    fn = getattr(xl, "libxl_%s_gen_json" % struct)
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    fn(gen, obj)
    buf = ctypes.c_char_p(); n = ctypes.c_size_t()
    yajl.yajl_gen_get_buf(gen, ctypes.byref(buf), ctypes.byref(n))
    text = ctypes.string_at(buf, n.value).decode("latin-1")
    yajl.yajl_gen_free(gen)
    return json.loads(text)

out = []
for case in json.load(sys.stdin):
    kind, spec = case["kind"], case["spec"]
    with tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False) as f:
        logpath = f.name
    rep = libc.fopen(logpath.encode(), b"w")
    cfg = xlu.xlu_cfg_init(rep, b"cfg")
    obj = ctypes.create_string_buffer(8192)
    struct = STRUCT[kind]
    if kind != "rdm":
        init = getattr(xl, "libxl_%s_init" % struct)
        init.argtypes = [ctypes.c_void_p]
        init(obj)
    if kind == "disk":
        specs = spec if isinstance(spec, list) else [spec]
        arr = (ctypes.c_char_p * len(specs))(*[s.encode("latin-1") for s in specs])
        rc = xlu.xlu_disk_parse(cfg, len(specs), arr, obj)
    elif kind == "pci":
        rc = xlu.xlu_pci_parse_spec_string(cfg, obj, spec.encode("latin-1"))
    elif kind == "bdf":
        rc = xlu.xlu_pci_parse_bdf(cfg, obj, spec.encode("latin-1"))
    elif kind == "rate":
        rc = xlu.xlu_vif_parse_rate(cfg, spec.encode("latin-1"), obj)
    else:
        rc = xlu.xlu_rdm_parse(cfg, obj, spec.encode("latin-1"))
    value = to_json(struct, obj)
    xlu.xlu_cfg_destroy(cfg)
    libc.fflush(rep); libc.fclose(rep)
    with open(logpath, encoding="latin-1") as f:
        report = f.read()
    os.unlink(logpath)
    out.append({"rc": rc, "report": report, "json": value})
print(json.dumps(out))
