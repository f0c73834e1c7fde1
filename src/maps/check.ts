/**
 * Create-time check of address values. With a geocoder that reads a local table, an address that
 * cannot be placed is rejected before anything is queued, instead of failing the render later.
 */
import { VidataError, isVidataError } from '../errors.ts';
import type { Template } from '../template/load.ts';
import type { ResolvedValues } from '../template/values.ts';
import type { VidataMapProvider } from './provider.ts';

/**
 * Geocodes each sent, non-empty `TXT_MAP_` value and returns an ADDRESS_NOT_FOUND problem for each
 * one that cannot be placed. Online geocoders are not called here, so their result is checked at render time.
 */
export async function checkAddresses(
  template: Template,
  values: ResolvedValues,
  sent: ReadonlySet<string>,
  maps: VidataMapProvider,
): Promise<VidataError[]> {
  if (!maps.geocoder.isSynchronous) return [];
  const problems: VidataError[] = [];
  for (const variable of template.variables) {
    if (variable.kind !== 'map' || !sent.has(variable.Name)) continue;
    const address = values.texts[variable.Name]?.trim() ?? '';
    if (address === '') continue;
    try {
      await maps.locate(address, { field: `variables.${variable.Name}` });
    } catch (error) {
      if (isVidataError(error) && error.code === 'ADDRESS_NOT_FOUND') problems.push(error);
      else throw error;
    }
  }
  return problems;
}
