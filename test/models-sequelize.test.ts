/**
 * Sequelize model reader over model files written to temp dirs. Expected names follow Sequelize v6's
 * documentation:
 * - table name inference, pluralised with the `inflection` library (User → Users, person → people),
 *   freezeTableName and tableName: https://sequelize.org/docs/v6/core-concepts/model-basics/#table-name-inference
 * - timestamps / createdAt: false / updatedAt: 'updateTimestamp': https://sequelize.org/docs/v6/core-concepts/model-basics/#timestamps
 * - `field:` and `underscored: true` (user → users with created_at, updated_at; userId → user_id):
 *   https://sequelize.org/docs/v6/other-topics/naming-strategies/
 * - paranoid adds deletedAt (timestamps required): https://sequelize.org/docs/v6/core-concepts/paranoid/
 * - the implicit `id` primary key: https://sequelize.org/docs/v6/core-concepts/model-basics/#column-declaration-shorthand-syntax
 *   ("Sequelize will assume your table has a id primary key property by default" in model-basics)
 * - associations: A.belongsTo(B) puts the key in A (Ship.belongsTo(Captain) → ships.captainId),
 *   A.hasOne/hasMany(B) in B; `foreignKey` as a string or { name, field }:
 *   https://sequelize.org/docs/v6/core-concepts/assocs/
 * - sequelize-typescript @Table/@Column/@CreatedAt/@DeletedAt: https://github.com/sequelize/sequelize-typescript#readme
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTypeScript } from '../src/source/ts/typescript.ts';
import { sequelizeReader } from '../src/analyze/models/sequelize.ts';
import { columnsByTable, tableNamed, writeProject } from './models-files.ts';

beforeAll(async () => {
  await loadTypeScript();
});

describe('Sequelize reader', () => {
  it('reads Model.init with tableName, field:, underscored and VIRTUAL attributes', () => {
    const files = writeProject({
      'src/models/user.ts': `import { DataTypes, Model } from 'sequelize';
import { sequelize } from '../db';
export class User extends Model {
  declare id: number;
  get fullName() { return this.firstName + ' ' + this.lastName; }
}
User.init(
  {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    firstName: { type: DataTypes.STRING, allowNull: false },
    lastName: DataTypes.STRING,
    legacyName: { type: DataTypes.STRING, field: 'legacy_nm' },
    fullName: { type: DataTypes.VIRTUAL, get() { return 'x'; } },
  },
  { sequelize, tableName: 'app_users', underscored: true },
);
`,
    });
    const { tables, problems } = sequelizeReader.read(files);
    expect(problems).toEqual([]);
    const t = tableNamed(tables, 'app_users');
    expect(t.model).toBe('User');
    expect(t.columns.map((c) => c.column).sort()).toEqual(['created_at', 'first_name', 'id', 'last_name', 'legacy_nm', 'updated_at']);
    const legacy = t.columns.find((c) => c.field === 'legacyName');
    expect(legacy).toMatchObject({ column: 'legacy_nm', certainty: 'exact', ref: { path: 'src/models/user.ts', line: 12, column: 5 } });
  });

  it('infers table names with inflection (person → people), freezeTableName and underscored', () => {
    const files = writeProject({
      'models.js': `const { Sequelize, DataTypes } = require('sequelize');
const sequelize = new Sequelize('postgres://localhost/app');
const Person = sequelize.define('person', { name: DataTypes.STRING });
const User = sequelize.define('User', { username: DataTypes.STRING });
const Frozen = sequelize.define('Category', { title: DataTypes.TEXT }, { freezeTableName: true });
const Under = sequelize.define('user', { username: Sequelize.STRING }, { underscored: true });
const Task = sequelize.define('task', { title: DataTypes.STRING, userId: DataTypes.INTEGER }, { underscored: true });
const Status = sequelize.define('UserStatus', { label: DataTypes.STRING }, { underscored: true });
const Invoice = sequelize.define('Invoice', { total: DataTypes.DECIMAL }, { schema: 'billing', tableName: 'invoices' });
`,
    });
    const { tables } = sequelizeReader.read(files);
    const byTable = columnsByTable(tables);
    expect(byTable.people).toEqual(['createdAt', 'id', 'name', 'updatedAt']);
    expect(byTable.Users).toEqual(['createdAt', 'id', 'updatedAt', 'username']);
    expect(byTable.Category).toEqual(['createdAt', 'id', 'title', 'updatedAt']);
    expect(byTable.users).toEqual(['created_at', 'id', 'updated_at', 'username']);
    expect(byTable.tasks).toEqual(['created_at', 'id', 'title', 'updated_at', 'user_id']);
    expect(byTable.user_statuses).toEqual(['created_at', 'id', 'label', 'updated_at']);
    // `schema` qualifies the table: https://sequelize.org/api/v6/class/src/model.js~model#static-method-init (options.schema)
    expect(byTable['billing.invoices']).toEqual(['createdAt', 'id', 'total', 'updatedAt']);
  });

  it('applies timestamps: false, renamed / disabled timestamps and paranoid deletedAt', () => {
    const files = writeProject({
      'src/models.ts': `import { DataTypes, Model, Sequelize } from 'sequelize';
const sequelize = new Sequelize('postgres://x');
export const NoStamps = sequelize.define('NoStamps', { a: DataTypes.STRING }, { timestamps: false, freezeTableName: true });
export const Renamed = sequelize.define('Renamed', { a: DataTypes.STRING }, { freezeTableName: true, createdAt: false, updatedAt: 'updateTimestamp' });
export const Soft = sequelize.define('Soft', { a: DataTypes.STRING }, { freezeTableName: true, paranoid: true });
export const SoftRenamed = sequelize.define('SoftRenamed', { a: DataTypes.STRING }, { freezeTableName: true, paranoid: true, deletedAt: 'destroyTime', underscored: true });
export const ParanoidNoStamps = sequelize.define('ParanoidNoStamps', { a: DataTypes.STRING }, { freezeTableName: true, paranoid: true, timestamps: false });
export const ExplicitStamp = sequelize.define('ExplicitStamp', { createdAt: { type: DataTypes.DATE, field: 'inserted_at' } }, { freezeTableName: true });
`,
    });
    const byTable = columnsByTable(sequelizeReader.read(files).tables);
    expect(byTable.NoStamps).toEqual(['a', 'id']);
    expect(byTable.Renamed).toEqual(['a', 'id', 'updateTimestamp']);
    expect(byTable.Soft).toEqual(['a', 'createdAt', 'deletedAt', 'id', 'updatedAt']);
    expect(byTable.SoftRenamed).toEqual(['a', 'created_at', 'destroy_time', 'id', 'updated_at']);
    expect(byTable.ParanoidNoStamps).toEqual(['a', 'id']);
    expect(byTable.ExplicitStamp).toEqual(['id', 'inserted_at', 'updatedAt']);
  });

  it('applies the define: defaults of new Sequelize() to every model, and inlines spread attribute consts', () => {
    const files = writeProject({
      'src/db.ts': `import { Sequelize } from 'sequelize';
export const sequelize = new Sequelize(process.env.DATABASE_URL!, { dialect: 'postgres', define: { underscored: true, paranoid: true } });
`,
      'src/models/order.ts': `import { DataTypes, Model } from 'sequelize';
import { sequelize } from '../db';
const audit = { createdBy: DataTypes.UUID, updatedBy: { type: DataTypes.UUID, field: 'modified_by' } };
export class OrderLine extends Model {}
OrderLine.init({ ...audit, unitPrice: DataTypes.DECIMAL }, { sequelize, modelName: 'OrderLine' });
`,
    });
    const t = tableNamed(sequelizeReader.read(files).tables, 'order_lines');
    expect(t.columns.map((c) => c.column).sort()).toEqual(['created_at', 'created_by', 'deleted_at', 'id', 'modified_by', 'unit_price', 'updated_at']);
  });

  it('follows spreads of shared init options; options spread from an import make names probable', () => {
    const files = writeProject({
      'src/models/base.ts': `import type { InitOptions } from 'sequelize';
import { sequelize } from '../db';
export const tableConfigs: InitOptions = { sequelize, paranoid: true, timestamps: true, underscored: true };
`,
      'src/models/local.ts': `import { DataTypes, Model, Sequelize } from 'sequelize';
const sequelize = new Sequelize('postgres://x');
const shared = { sequelize, underscored: true, timestamps: false };
export class Invoice extends Model {}
Invoice.init({ dueDate: DataTypes.DATEONLY }, { ...shared, tableName: 'invoices' });
`,
      'src/models/imported.ts': `import { DataTypes, Model } from 'sequelize';
import { tableConfigs } from './base';
export class Payment extends Model {}
Payment.init({ paidAt: DataTypes.DATE, amount: { type: DataTypes.DECIMAL, field: 'amount_cents' } }, { ...tableConfigs, tableName: 'payments' });
`,
    });
    const { tables } = sequelizeReader.read(files);
    expect(columnsByTable(tables).invoices).toEqual(['due_date', 'id']);
    const payments = tableNamed(tables, 'payments');
    expect(payments.certainty).toBe('exact');
    expect(payments.columns.filter((c) => c.field === 'paidAt').map((c) => [c.column, c.certainty])).toEqual([
      ['paidAt', 'probable'],
      ['paid_at', 'probable'],
    ]);
    expect(payments.columns.find((c) => c.field === 'amount')).toMatchObject({ column: 'amount_cents', certainty: 'exact' });
  });

  it('adds association foreign keys: belongsTo on the source, hasMany / hasOne on the target', () => {
    const files = writeProject({
      'src/models.js': `const { Sequelize, DataTypes } = require('sequelize');
const sequelize = new Sequelize('postgres://x');
const Ship = sequelize.define('ship', { name: DataTypes.TEXT }, { timestamps: false });
const Captain = sequelize.define('captain', { name: DataTypes.TEXT }, { timestamps: false });
const Team = sequelize.define('team', { name: DataTypes.TEXT }, { timestamps: false });
const Player = sequelize.define('player', { name: DataTypes.TEXT }, { timestamps: false, underscored: true });
const Foo = sequelize.define('foo', { name: DataTypes.TEXT }, { timestamps: false });
const Bar = sequelize.define('bar', { name: DataTypes.TEXT }, { timestamps: false });
Ship.belongsTo(Captain);
Team.hasMany(Player);
Foo.hasOne(Bar, { foreignKey: { name: 'myFooId', field: 'my_foo' } });
Bar.belongsTo(Ship, { as: 'vessel', foreignKey: 'vesselRef' });
`,
    });
    const { tables } = sequelizeReader.read(files);
    expect(columnsByTable(tables)).toMatchObject({
      ships: ['captainId', 'id', 'name'],
      players: ['id', 'name', 'team_id'],
      bars: ['id', 'my_foo', 'name', 'vesselRef'],
    });
    expect(tableNamed(tables, 'ships').columns.find((c) => c.column === 'captainId')?.certainty).toBe('probable');
    expect(tableNamed(tables, 'bars').columns.find((c) => c.column === 'my_foo')?.certainty).toBe('exact');
  });

  it('reads sequelize-cli style models: super.init in a static method, associations through models.X', () => {
    const files = writeProject({
      'models/project.js': `'use strict';
const { Model } = require('sequelize');
module.exports = (sequelize, DataTypes) => {
  class Project extends Model {
    static associate(models) {
      this.belongsTo(models.Owner, { foreignKey: 'owner_ref' });
    }
    static init(sequelize) {
      return super.init({ title: DataTypes.STRING }, { sequelize, modelName: 'Project', underscored: true });
    }
  }
  return Project;
};
`,
      'models/owner.js': `'use strict';
const { Model } = require('sequelize');
module.exports = (sequelize, DataTypes) => {
  class Owner extends Model {}
  Owner.init({ fullName: DataTypes.STRING }, { sequelize, modelName: 'Owner', timestamps: false });
  return Owner;
};
`,
    });
    expect(columnsByTable(sequelizeReader.read(files).tables)).toEqual({
      Owners: ['fullName', 'id'],
      projects: ['created_at', 'id', 'owner_ref', 'title', 'updated_at'],
    });
  });

  it('reads sequelize-typescript classes with inherited id / timestamps / soft-delete columns', () => {
    const files = writeProject({
      'server/models/base/IdModel.ts': `import { Column, CreatedAt, DataType, Default, Model, PrimaryKey, UpdatedAt } from 'sequelize-typescript';
class IdModel<A extends object = any, C extends object = A> extends Model<A, C> {
  @PrimaryKey
  @Default(DataType.UUIDV4)
  @Column(DataType.UUID)
  id: string;

  @CreatedAt
  createdAt: Date;

  @UpdatedAt
  updatedAt: Date;
}
export default IdModel;
`,
      'server/models/base/ParanoidModel.ts': `import { DeletedAt } from 'sequelize-typescript';
import IdModel from './IdModel';
class ParanoidModel<A extends object = any, C extends object = A> extends IdModel<A, C> {
  @DeletedAt
  deletedAt: Date | null;

  get isDeleted() { return !!this.deletedAt; }
}
export default ParanoidModel;
`,
      'server/models/Share.ts': `import { BelongsTo, Column, DataType, ForeignKey, Table } from 'sequelize-typescript';
import ParanoidModel from './base/ParanoidModel';
import User from './User';
@Table({ tableName: 'shares', modelName: 'share' })
class Share extends ParanoidModel {
  @Column(DataType.BOOLEAN)
  published: boolean;

  @Column({ type: DataType.STRING, field: 'url_id' })
  urlId: string;

  @Column(DataType.VIRTUAL)
  get url() { return '/s/' + this.urlId; }

  /** Not decorated: an in-memory property, no column. */
  cachedTitle?: string;

  @BelongsTo(() => User, 'userId')
  user: User;

  @BelongsTo(() => User, { foreignKey: 'revokedById' })
  revokedBy: User;

  @ForeignKey(() => User)
  @Column(DataType.UUID)
  userId: string;
}
export default Share;
`,
      'server/models/OAuthCode.ts': `import { Column, DataType, Table } from 'sequelize-typescript';
import IdModel from './base/IdModel';
@Table({ tableName: 'oauth_codes', modelName: 'oauth_code', updatedAt: false })
class OAuthCode extends IdModel {
  @Column(DataType.STRING)
  codeHash: string;
}
export default OAuthCode;
`,
      'server/models/Event.ts': `import { Column, Table, Model } from 'sequelize-typescript';
@Table({ underscored: true, timestamps: false })
export class AuditEvent extends Model {
  @Column
  actorId: string;
}
`,
    });
    const { tables, problems } = sequelizeReader.read(files);
    expect(problems).toEqual([]);
    const byTable = columnsByTable(tables);
    expect(byTable.shares).toEqual(['createdAt', 'deletedAt', 'id', 'published', 'revokedById', 'updatedAt', 'url_id', 'userId']);
    expect(byTable.audit_events).toEqual(['actor_id', 'id']);
    // updatedAt: false in @Table wins over the base class's @UpdatedAt.
    expect(byTable.oauth_codes).toEqual(['codeHash', 'createdAt', 'id']);
    const deleted = tableNamed(tables, 'shares').columns.find((c) => c.column === 'deletedAt');
    expect(deleted?.ref).toEqual({ path: 'server/models/base/ParanoidModel.ts', line: 5, column: 3 });
  });
});
