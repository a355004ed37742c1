// src/kernel: kernel facts as data. Flag tables per era and arch, the KernelModel presets,
// and era detection for `--kernel auto`.
export * from './model';
export { kernelModel, parseEra, DOORBELL_PRESETS, DOORBELL_MMAP_FLAG_NAMES, doorbellPresetNames, doorbellVmaFlags } from './eras';
export type { DoorbellPresetName } from './eras';
export {
  symbolTable, flagDefinitions, describeFlag, findValueCollisions, formatFlag, formatFlagSet, bitsOf, valuesAcrossArches,
} from './flags';
export type { FlagDescription, DescribeOptions } from './flags';
export { applyDefineChanges } from './defines';
export type { DefineChangeLike } from './defines';
export { detectEra } from './detect';
export type { EraDetection } from './detect';
export { archesInEra, archInEra, isArch, isEra, uapiHeaders, NAMESPACES, namespaceOf } from './tables/index';
export type { FlagDefinition, Namespace, ArchHeaders, HeaderContent } from './tables/index';
