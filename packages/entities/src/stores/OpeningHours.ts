import type { OpeningHours } from "@qc/domain/stores/StoreOps"

/** India has one zone and no daylight saving: IST is UTC+05:30 all year. */
const istOffsetMs = (5 * 60 + 30) * 60_000

const minutesOf = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5))

/** Minutes since IST midnight at `nowMs` (0–1439). */
export const istMinuteOfDay = (nowMs: number): number => Math.floor((((nowMs + istOffsetMs) % 86_400_000) + 86_400_000) % 86_400_000 / 60_000)

/**
 * Whether a store with these hours is inside them at `nowMs` (the Effect clock, epoch ms).
 * Hours are IST, `opens` inclusive and `closes` exclusive; `closes` before `opens` runs past
 * midnight (07:00–01:00 is open at 00:30). null: all day.
 */
export const withinHours = (hours: OpeningHours | null, nowMs: number): boolean => {
  if (hours === null) return true
  const now = istMinuteOfDay(nowMs)
  const opens = minutesOf(hours.opens)
  const closes = minutesOf(hours.closes)
  return opens < closes ? now >= opens && now < closes : now >= opens || now < closes
}

/** Open to new orders: the manager's switch is on and the store is inside its hours. */
export const isOpen = (store: { readonly accepting: boolean; readonly hours: OpeningHours | null }, nowMs: number): boolean =>
  store.accepting && withinHours(store.hours, nowMs)
