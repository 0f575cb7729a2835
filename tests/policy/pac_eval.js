// Evaluate a PAC file the way a browser does, in a fresh context.
//
//   node pac_eval.js FILE.pac URL [URL ...]
//
// Prints one JSON object: {"results": [{"url", "host", "proxy"}, ...]}, or
// {"error": "..."} with exit status 1. The context provides the pure PAC helper
// functions of the Netscape/Mozilla spec. The DNS ones (dnsResolve, isInNet,
// isResolvable, myIpAddress, ...) throw, so a PAC that needs DNS fails loudly:
// browsers block while those resolve.
"use strict";

const fs = require("fs");
const vm = require("vm");

function dnsThrows(name) {
  return function () {
    throw new Error(name + "() was called: the PAC file must not resolve DNS");
  };
}

function shExpToRegExp(pattern) {
  let out = "^";
  for (const ch of pattern) {
    if (ch === "*") out += ".*";
    else if (ch === "?") out += ".";
    else out += ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(out + "$");
}

const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

function inRange(value, low, high) {
  return low <= high ? low <= value && value <= high : value >= low || value <= high;
}

const helpers = {
  isPlainHostName: (host) => String(host).indexOf(".") < 0,
  dnsDomainIs: (host, domain) => {
    host = String(host);
    domain = String(domain);
    return host.length >= domain.length && host.substring(host.length - domain.length) === domain;
  },
  localHostOrDomainIs: (host, hostdom) =>
    host === hostdom || (String(host).indexOf(".") < 0 && String(hostdom).startsWith(host + ".")),
  dnsDomainLevels: (host) => String(host).split(".").length - 1,
  shExpMatch: (str, pattern) => shExpToRegExp(String(pattern)).test(String(str)),
  weekdayRange: (wd1, wd2) => {
    const today = new Date().getDay();
    const a = WEEKDAYS.indexOf(wd1);
    const b = wd2 === undefined || wd2 === "GMT" ? a : WEEKDAYS.indexOf(wd2);
    return inRange(today, a, b);
  },
  dateRange: () => {
    throw new Error("dateRange() is not implemented in this harness");
  },
  timeRange: () => {
    throw new Error("timeRange() is not implemented in this harness");
  },
  alert: () => {},
  isResolvable: dnsThrows("isResolvable"),
  isResolvableEx: dnsThrows("isResolvableEx"),
  isInNet: dnsThrows("isInNet"),
  isInNetEx: dnsThrows("isInNetEx"),
  dnsResolve: dnsThrows("dnsResolve"),
  dnsResolveEx: dnsThrows("dnsResolveEx"),
  myIpAddress: dnsThrows("myIpAddress"),
  myIpAddressEx: dnsThrows("myIpAddressEx"),
  convert_addr: dnsThrows("convert_addr"),
};

// What a browser passes as `host`: the URL's host name without port, as written
// (WHATWG URL parsing would lower-case it; keep the raw form to test the PAC's own
// normalization). IPv6 literals keep their brackets.
function hostOf(url) {
  const match = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/.exec(url);
  if (!match) throw new Error("not an absolute URL: " + url);
  return match[1];
}

function main(argv) {
  if (argv.length < 2) {
    throw new Error("usage: node pac_eval.js FILE.pac URL [URL ...]");
  }
  const source = fs.readFileSync(argv[0], "utf8");
  const context = vm.createContext(Object.assign(Object.create(null), helpers));
  vm.runInContext(source, context, { filename: argv[0], timeout: 2000 });
  if (typeof context.FindProxyForURL !== "function") {
    throw new Error("the PAC file defines no FindProxyForURL(url, host)");
  }
  const results = argv.slice(1).map((url) => {
    const host = hostOf(url);
    const proxy = context.FindProxyForURL(url, host);
    if (typeof proxy !== "string") {
      throw new Error("FindProxyForURL returned " + typeof proxy + " for " + url);
    }
    return { url, host, proxy };
  });
  return { results };
}

try {
  process.stdout.write(JSON.stringify(main(process.argv.slice(2))) + "\n");
} catch (err) {
  process.stdout.write(JSON.stringify({ error: String(err && err.message ? err.message : err) }) + "\n");
  process.exitCode = 1;
}
