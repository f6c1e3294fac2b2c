export * from './aurora-postgres';
export * from './key';
