"""``timemory.settings``: every runtime setting as a typed attribute."""

from . import libpytimemory as _native

_TRUE = {"on", "true", "yes", "1", "y", "t"}


def split_list(text):
    """The items of a list setting's text (components, events): commas, semicolons or white
    space separate them; the runtime's own rule."""
    return list(_native.settings_api.split_list(text))

# Names the original timemory documents that mean nothing in this runtime: accepted (so
# scripts written for it run), kept, and without effect. name: (type, default, why).
_NO_EFFECT = {
    "mpi_thread": ("bool", True, "MPI is initialised by the program or mpi4py here, "
                   "never by timemory"),
    "dart_output": ("bool", False, "no CDash/Dart measurement output in this timemory"),
    "dart_count": ("int", 1, "no CDash/Dart measurement output in this timemory"),
    "dart_type": ("str", "", "no CDash/Dart measurement output in this timemory"),
}


class Settings:
    """Every runtime setting as an attribute: ``timemory.settings.flat_profile = True``.

    Reading gives a bool, int or str; writing accepts the same (or text) and raises
    ``ValueError`` for an invalid value and ``AttributeError`` for an unknown name.
    Settings written before the runtime starts override the environment when it does.
    ``parse()`` re-reads the TIMEMORY_* environment variables.
    """

    def __init__(self):
        object.__setattr__(self, "_types", {d["name"]: d["type"] for d in _native.settings_api.describe()})
        object.__setattr__(self, "_kept", {k: v[1] for k, v in _NO_EFFECT.items()})

    def __dir__(self):
        return sorted(list(self._types) + list(_NO_EFFECT) + ["parse", "describe", "names"])

    def __getattr__(self, name):
        types = object.__getattribute__(self, "_types")
        kept = object.__getattribute__(self, "_kept")
        if name in kept and name not in types:
            return kept[name]
        if name not in types:
            raise AttributeError("timemory has no setting '{}'".format(name))
        text = _native.settings_api.get(name)
        kind = types[name]
        if kind == "bool":
            return text.lower() in _TRUE
        if kind == "int":
            return int(text)
        return text

    def __setattr__(self, name, value):
        if name in _NO_EFFECT and name not in self._types:
            kind = _NO_EFFECT[name][0]
            cast = {"bool": lambda v: v.lower() in _TRUE if isinstance(v, str) else bool(v),
                    "int": int, "str": str}[kind]
            try:
                self._kept[name] = cast(value)
            except (TypeError, ValueError):
                raise ValueError("setting '{}' expects a {}, not {!r}".format(name, kind, value))
            return
        if name not in self._types:
            raise AttributeError("timemory has no setting '{}'".format(name))
        kind = self._types[name]
        if kind == "bool":
            if not isinstance(value, (bool, int, str)):
                raise TypeError("setting '{}' expects a bool, not {}".format(name, type(value).__name__))
            text = ("ON" if value else "OFF") if not isinstance(value, str) else value
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise TypeError("setting '{}' expects an int, not {}".format(name, type(value).__name__))
            text = str(value)
        else:
            if isinstance(value, (list, tuple)):
                value = ",".join(str(v) for v in value)
            if not isinstance(value, str):
                raise TypeError("setting '{}' expects a str, not {}".format(name, type(value).__name__))
            text = value
        _native.settings_api.set(name, text)

    @staticmethod
    def parse():
        """Re-reads the TIMEMORY_* environment variables (and the config file they name)."""
        _native.settings_api.parse()

    @staticmethod
    def names():
        """Every setting name, in declaration order."""
        return list(_native.settings_api.names())

    @staticmethod
    def describe():
        """Every setting as a dict: name, env_name, type, default, description and value (in
        force, or the one the runtime will start with); the names kept only for scripts
        written for the original timemory say so."""
        out = list(_native.settings_api.describe(True))
        for name, (kind, default, why) in _NO_EFFECT.items():
            out.append({"name": name, "env_name": "", "type": kind, "default": str(default),
                        "description": "accepted, no effect: " + why, "value": str(default)})
        return out


settings = Settings()
