import { Layer } from "effect"
import { StockAvailability } from "../stock/StockAvailability.js"
import { CatalogueBrowse } from "./CatalogueBrowse.js"

/** Browse and search, over the availability read model that follows stock events. Needs pricing. */
export const CatalogueLive = CatalogueBrowse.Default.pipe(Layer.provideMerge(StockAvailability.Default))
