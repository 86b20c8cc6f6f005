export * from './erlang';
export * from './requirement';
