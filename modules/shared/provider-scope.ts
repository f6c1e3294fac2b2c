import { Aspects, type IAspect, TerraformDataSource, type TerraformProvider, TerraformResource } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';

/**
 * Everything created under this scope uses `provider` unless it names one
 * itself. cdktf has no per-construct default provider, so a second region is
 * otherwise a `provider:` argument on every resource of every module; this
 * lets the same modules build a standby region unchanged.
 */
export class ProviderScope extends Construct {
  constructor(scope: Construct, id: string, public readonly provider: TerraformProvider) {
    super(scope, id);
    Aspects.of(this).add(new UseProvider(provider));
  }
}

class UseProvider implements IAspect {
  constructor(private readonly provider: TerraformProvider) {}

  visit(node: IConstruct): void {
    if ((node instanceof TerraformResource || node instanceof TerraformDataSource) && !node.provider) {
      node.provider = this.provider;
    }
  }
}
