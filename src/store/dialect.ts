/** The two database engines Lookout runs on. */
export type Dialect = 'sqlite' | 'postgres';
