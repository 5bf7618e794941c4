/**
 * Regions are cluster shard groups: a region is a set of stores, and the entities of a
 * store's region (its StoreSkus, its orders) run only on runners that host that region.
 *
 * The cluster asks an entity's shard group with a plain synchronous function of the entity
 * id (`ClusterSchema.ShardGroup`), so the store → region map is held here, per process,
 * loaded from the `stores` table before sharding starts (`loadRegions` in the cluster
 * layer). Every process loads the same table, so every process computes the same shard
 * for an entity. Until a map is loaded (or for a store it does not know) the group is
 * `default`, which every runner hosts.
 */
export const defaultRegion = "default"

/** A region name: lowercase letters, digits and dashes, e.g. `pune-west`. */
export const regionPattern = /^[a-z][a-z0-9-]{0,39}$/

let storeRegions: ReadonlyMap<string, string> = new Map()
let knownRegions: ReadonlySet<string> = new Set([defaultRegion])

/**
 * Installs the store → region map of this process, as read from the `stores` table when its
 * cluster starts (replacing any earlier one: a test process may start several clusters).
 * Answers every region known, `default` included, sorted.
 */
export const installRegions = (stores: Iterable<{ readonly id: string; readonly region: string }>): ReadonlyArray<string> => {
  const next = new Map<string, string>()
  const regions = new Set([defaultRegion])
  for (const { id, region } of stores) {
    if (!regionPattern.test(region)) throw new RangeError(`store ${id}: region must match ${regionPattern}, got ${JSON.stringify(region)}`)
    next.set(id, region)
    regions.add(region)
  }
  storeRegions = next
  knownRegions = regions
  return [...regions].sort()
}

export const knownRegionList = (): ReadonlyArray<string> => [...knownRegions].sort()

export const regionOfStore = (storeId: string): string => storeRegions.get(storeId) ?? defaultRegion

/** Shard group of a StoreSku (`{storeId}/{skuId}`): its store's region. */
export const storeSkuShardGroup = (entityId: string): string => {
  const slash = entityId.indexOf("/")
  return regionOfStore(slash < 0 ? entityId : entityId.slice(0, slash))
}

/** `ord_{region}_{digest}`: the region an order id names, if this process knows it. */
export const regionOfOrderId = (orderId: string): string => {
  const last = orderId.lastIndexOf("_")
  if (!orderId.startsWith("ord_") || last <= 3) return defaultRegion
  const region = orderId.slice(4, last)
  return knownRegions.has(region) ? region : defaultRegion
}
