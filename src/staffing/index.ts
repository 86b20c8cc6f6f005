export * from './erlang';
export * from './requirement';
export * from './question';
