import type { HttpServerRequest } from "@effect/platform"
import { Option } from "effect"
import { isIP } from "node:net"

const mappedIpv4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i

/** The first four groups of an IPv6 address, written out (`2001:db8::1` → `2001:db8:0:0`). */
const prefix64 = (address: string): string => {
  const [left = "", right] = address.split("%")[0].split("::")
  const head = left === "" ? [] : left.split(":")
  const tail = right === undefined || right === "" ? [] : right.split(":")
  const groups = right === undefined ? head : [...head, ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill("0"), ...tail]
  return groups.slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, "")).join(":")
}

/**
 * The key of an address: IPv4 as it is (also when it arrives as `::ffff:a.b.c.d`), IPv6 cut to
 * its /64, the block one subscriber gets and can pick new addresses from at will.
 */
export const addressKey = (address: string): string => {
  const ipv4 = mappedIpv4.exec(address)
  if (ipv4 !== null) return ipv4[1]
  return isIP(address) === 6 ? `${prefix64(address)}::/64` : address
}

/**
 * Who sent `request`, as a rate-limit key. With no trusted proxy, the socket's peer: a client
 * can write any `X-Forwarded-For`. Behind `trustedProxies` proxies that each append the address
 * they saw, the entry that many places from the right is what the outermost proxy saw; an entry
 * that is not an IP address, or a missing header, leaves the socket's peer. Only right if clients
 * cannot reach the server except through those proxies.
 */
export const clientAddress = (request: HttpServerRequest.HttpServerRequest, trustedProxies: number): string => {
  const peer = Option.getOrElse(request.remoteAddress, () => "unknown")
  if (trustedProxies === 0) return addressKey(peer)
  const forwarded = (request.headers["x-forwarded-for"] ?? "").split(",").map((entry) => entry.trim()).filter((entry) => entry !== "")
  const entry = forwarded[Math.max(0, forwarded.length - trustedProxies)]
  return addressKey(entry !== undefined && isIP(entry) !== 0 ? entry : peer)
}
