"""Black-box tests of the bundled server over real Socket.IO connections."""
