// Tables every Lookout installation has from its first start.

/** Small key/value facts about this installation (e.g. when it first started). */
export interface MetaTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface CoreTables {
  lookout_meta: MetaTable;
}
