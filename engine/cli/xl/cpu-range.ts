/** xl's CPU list syntax lives with the config reader (cpus= in xl.cfg uses it too). */
export { parseCpuRange, cpuList, type CpuRangeContext, type CpuRangeResult } from '../../toolstack/config/cpu-range';
