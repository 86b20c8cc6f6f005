export * from './plan';
export { subproblemToCplexLp } from './lp-format';
