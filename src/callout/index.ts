export * from './signing';
export * from './payload';
export * from './deliver';
