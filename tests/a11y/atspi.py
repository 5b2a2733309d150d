#!/usr/bin/python3
"""Reads and drives one process's accessible objects through AT-SPI, as
assistive technology does (the tests in tests/a11y.rs call it).

  atspi.py ready                    answers once the accessibility bus and its registry do
  atspi.py dump PID                 every object under PID's application, one a line:
                                    path TAB role TAB name TAB description TAB states TAB actions
  atspi.py do PID PATH ACTION       performs the named action of the object at PATH
  atspi.py set-text PID PATH TEXT   replaces the text of an editable object
  atspi.py focus PID PATH           gives the object the keyboard focus

PATH is the child indices from the application down, joined by dots. Tabs
and newlines in names are written as \\t and \\n. Exits 2 when the
application is not on the accessibility bus (yet), 3 when its objects
changed while they were read (read again), 1 on any other failure.
"""
import sys
import warnings

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

warnings.simplefilter("ignore", DeprecationWarning)


def app_of(pid):
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        try:
            if app is not None and app.get_process_id() == pid:
                return app
        except Exception:
            continue
    sys.stderr.write(f"no application of pid {pid} on the accessibility bus\n")
    sys.exit(2)


def clean(s):
    return (s or "").replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def action_names(obj):
    # GTK 4.8 may count actions it then refuses to name
    names = []
    try:
        for i in range(obj.get_n_actions()):
            names.append(obj.get_action_name(i))
    except Exception:
        pass
    return names


def line(path, obj):
    role = obj.get_role_name()
    name = obj.get_name()
    desc = obj.get_description()
    states = ",".join(s.value_nick for s in obj.get_state_set().get_states())
    actions = ",".join(action_names(obj))
    return "\t".join([path, clean(role), clean(name), clean(desc), states, clean(actions)])


def dump(obj, path, out):
    for i in range(obj.get_child_count()):
        child = obj.get_child_at_index(i)
        if child is None:
            continue
        p = f"{path}.{i}" if path else str(i)
        out.append(line(p, child))
        dump(child, p, out)


def at(app, path):
    obj = app
    for i in path.split("."):
        obj = obj.get_child_at_index(int(i))
        if obj is None:
            raise SystemExit(f"no object at {path}")
    return obj


def main():
    if sys.argv[1] == "ready":
        # the registry answers on the accessibility bus (started through
        # org.a11y.Bus on the session bus when needed)
        Atspi.get_desktop(0).get_child_count()
        return
    cmd, pid = sys.argv[1], int(sys.argv[2])
    app = app_of(pid)
    if cmd == "dump":
        out = []
        try:
            dump(app, "", out)
        except Exception as e:  # objects went away while they were read
            sys.stderr.write(f"the tree changed while it was read: {e}\n")
            sys.exit(3)
        print("\n".join(out))
    elif cmd == "do":
        obj = at(app, sys.argv[3])
        names = action_names(obj)
        if sys.argv[4] not in names:
            raise SystemExit(f"{sys.argv[3]} has no action {sys.argv[4]} (only {names})")
        obj.do_action(names.index(sys.argv[4]))
    elif cmd == "set-text":
        obj = at(app, sys.argv[3])
        if not obj.set_text_contents(sys.argv[4]):
            raise SystemExit(f"{sys.argv[3]} takes no text")
    elif cmd == "focus":
        obj = at(app, sys.argv[3])
        if not obj.grab_focus():
            raise SystemExit(f"{sys.argv[3]} takes no focus")
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
