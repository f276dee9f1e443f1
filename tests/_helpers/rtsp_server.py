#!/usr/bin/python3
"""A real RTSP server for the tests: GStreamer's RTSP server (Debian's
gir1.2-gst-rtsp-server-1.0 and python3-gi) serving a live H.264 test pattern.

    rtsp_server.py --port 0 --protocols udp

serves rtsp://127.0.0.1:<port>/test, where the RTP transports a client may SETUP are
chosen by --protocols: "tcp" (interleaved in the RTSP connection, and so also RTSP
tunnelled over HTTP), "udp", or "both". A client asking for another transport gets
"461 Unsupported transport", as a camera configured that way answers. Port 0 takes a free
port. Once listening it prints one line, "ready rtsp://127.0.0.1:<port>/test", then a line
'setup {"transport": <the SETUP's Transport header>, "tunneled": <over HTTP>}' for each
SETUP it is asked (refused ones too), and runs until SIGTERM or SIGINT, or until its
stdin closes (so it never outlives the test that
started it: tests/_helpers/rtsp_server.ts). `rtsp_server.py --check` says what is missing,
if anything (exit status 1), without serving.
"""

import argparse
import json
import os
import signal
import sys

PACKAGES = ("python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base "
            "gstreamer1.0-plugins-good gstreamer1.0-plugins-bad")
try:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtsp", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtsp, GstRtspServer
    MISSING = None
except (ImportError, ValueError) as error:  # no python3-gi, or no typelib
    MISSING = str(error)

PROTOCOLS = ("tcp", "udp", "both")
ELEMENTS = ("videotestsrc", "h264parse", "rtph264pay")


def missing() -> "str | None":
    """What this machine lacks to serve, or None."""
    if MISSING is not None:
        return MISSING
    Gst.init(None)
    lacking = [e for e in ELEMENTS if Gst.ElementFactory.find(e) is None]
    if Gst.ElementFactory.find("openh264enc") is None and Gst.ElementFactory.find("x264enc") is None:
        lacking.append("openh264enc or x264enc")
    return "no GStreamer element " + ", ".join(lacking) if lacking else None


def pipeline(width: int, height: int, fps: int) -> str:
    """A live test pattern encoded as H.264 (a keyframe every second) and payloaded as RTP."""
    encoder = "openh264enc gop-size=%d complexity=low" % fps
    if Gst.ElementFactory.find("openh264enc") is None:
        encoder = "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=%d" % fps
    return (
        "( videotestsrc is-live=true pattern=ball "
        "! video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1 "
        "! %s ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )"
        % (width, height, fps, encoder)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--protocols", choices=PROTOCOLS, default="both")
    parser.add_argument("--size", default="320x240", help="WIDTHxHEIGHT of the pattern")
    parser.add_argument("--fps", type=int, default=15)
    parser.add_argument("--check", action="store_true", help="only say what is missing")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    lacking = missing()
    if lacking is not None:
        print("%s (Debian: apt-get install %s)" % (lacking, PACKAGES), file=sys.stderr)
        return 1
    if args.check:
        return 0
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(pipeline(width, height, args.fps))
    factory.set_shared(True)
    tcp, udp = GstRtsp.RTSPLowerTrans.TCP, GstRtsp.RTSPLowerTrans.UDP
    factory.set_protocols({"tcp": tcp, "udp": udp, "both": tcp | udp}[args.protocols])
    server.get_mount_points().add_factory("/test", factory)

    def on_setup(client, context):
        _, transport = context.request.get_header(GstRtsp.RTSPHeaderField.TRANSPORT, 0)
        tunneled = client.get_connection().is_tunneled()
        print("setup " + json.dumps({"transport": transport, "tunneled": tunneled}), flush=True)
        return GstRtsp.RTSPStatusCode.OK  # go on: the factory's protocols decide

    server.connect("client-connected",
                   lambda _server, client: client.connect("pre-setup-request", on_setup))
    if server.attach(None) == 0:
        print("cannot listen on 127.0.0.1:%d" % args.port, file=sys.stderr)
        return 1

    loop = GLib.MainLoop()

    def quit_loop(*_args) -> bool:
        loop.quit()
        return False

    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, quit_loop)

    def stdin_event(fd: int, _condition) -> bool:
        # An end of file (the parent closed the pipe, or died) stops the server.
        return quit_loop() if os.read(fd, 4096) == b"" else True

    GLib.unix_fd_add_full(GLib.PRIORITY_DEFAULT, sys.stdin.fileno(),
                          GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR,
                          stdin_event)

    print("ready rtsp://127.0.0.1:%d/test" % server.get_bound_port(), flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
