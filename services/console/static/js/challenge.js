// The report form's proof of work: find a number whose SHA-256 with the signed challenge
// starts with the zero bits the server asks for, in small slices so the page stays usable.
// Without this script the form asks its question in words instead; the server takes either.
(function () {
  "use strict";
  var form = document.querySelector("form[data-challenge-form]");
  if (!form || !window.Int32Array) { return; }
  var token = form.querySelector("input[name='challenge']");
  var proof = form.querySelector("input[name='proof']");
  var question = form.querySelector("[data-challenge-question]");
  var status = form.querySelector("[data-challenge-status]");
  if (!token || !proof || !token.value) { return; }
  var bits = parseInt(token.value.split(".")[3], 10);
  if (!(bits > 0 && bits <= 40)) { return; }

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];
  var w = new Int32Array(64);

  // The first two words of SHA-256 of an ASCII string: all the zero bits asked fit in them.
  function head(s) {
    var n = s.length, total = ((n + 9 + 63) >> 6) << 4, m = new Int32Array(total), i;
    for (i = 0; i < n; i++) { m[i >> 2] |= (s.charCodeAt(i) & 255) << (24 - (i & 3) * 8); }
    m[n >> 2] |= 0x80 << (24 - (n & 3) * 8);
    m[total - 1] = n * 8;
    var h0 = 0x6a09e667, h1 = 0xbb67ae85 | 0, h2 = 0x3c6ef372, h3 = 0xa54ff53a | 0;
    var h4 = 0x510e527f, h5 = 0x9b05688c | 0, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    for (var o = 0; o < total; o += 16) {
      for (i = 0; i < 16; i++) { w[i] = m[o + i]; }
      for (i = 16; i < 64; i++) {
        var x = w[i - 15], y = w[i - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (i = 0; i < 64; i++) {
        var t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
          ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
          ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    return [h0, h1];
  }

  function enough(words) {
    if (bits <= 32) { return (words[0] >>> (32 - bits)) === 0; }
    return words[0] === 0 && (words[1] >>> (64 - bits)) === 0;
  }

  var prefix = token.value + ":";
  var next = 0, solved = !!proof.value, waiting = false;

  function work() {
    var end = next + 4000;
    for (; next < end; next++) {
      if (enough(head(prefix + next))) {
        proof.value = String(next);
        solved = true;
        if (waiting) { form.submit(); }
        return;
      }
    }
    setTimeout(work, 0);
  }

  // A question the server marked wrong stays in sight; otherwise the work answers for it.
  if (question && !question.hasAttribute("data-keep")) { question.hidden = true; }
  if (status) { status.hidden = false; }
  form.addEventListener("submit", function (event) {
    if (solved) { return; }
    event.preventDefault();
    waiting = true;
  });
  if (!solved) { setTimeout(work, 0); }
})();
