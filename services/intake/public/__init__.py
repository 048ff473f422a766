"""Citizens' reports and reporters' answers, filed through the console's public pages.

Only the public key (role ``public``) reaches these routes, and it can do nothing else. The
console names the citizen (by the stand-in of their address) in a header this package
trusts from that role alone, so the per-address limits here count citizens, not the console.
"""
