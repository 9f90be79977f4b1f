package io.countersign.engine;

import java.beans.FeatureDescriptor;
import java.util.Iterator;
import java.util.Set;

import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.impl.el.JuelExpressionManager;
import org.camunda.bpm.engine.impl.el.VariableContextElResolver;
import org.camunda.bpm.engine.impl.el.VariableScopeElResolver;
import org.camunda.bpm.impl.juel.jakarta.el.ArrayELResolver;
import org.camunda.bpm.impl.juel.jakarta.el.BeanELResolver;
import org.camunda.bpm.impl.juel.jakarta.el.CompositeELResolver;
import org.camunda.bpm.impl.juel.jakarta.el.ELContext;
import org.camunda.bpm.impl.juel.jakarta.el.ELResolver;
import org.camunda.bpm.impl.juel.jakarta.el.ListELResolver;
import org.camunda.bpm.impl.juel.jakarta.el.MapELResolver;

import org.springframework.context.ApplicationContext;

/**
 * Resolves expressions of deployed diagrams with only what BPMN needs:
 * <ul>
 * <li>process variables and the execution or task in scope;</li>
 * <li>Spring beans that are delegates or listeners of ours (a {@link JavaDelegate}, {@link TaskListener} or
 * {@link ExecutionListener} under {@code io.countersign}): never a data source, {@code jdbcClient}, a repository, a
 * service or the application context;</li>
 * <li>no method or property that leads out of the playbook API: {@code getClass}, class loaders, reflection,
 * {@code Runtime}, the engine's services behind the execution ({@code getProcessEngineServices}).</li>
 * </ul>
 * A refused expression fails the step that evaluates it: its transaction rolls back and nothing happens.
 */
final class RestrictedExpressionManager extends JuelExpressionManager {

	/** The packages whose beans a diagram may name. */
	static final String BEAN_PACKAGE = "io.countersign.";

	private final ApplicationContext applicationContext;

	RestrictedExpressionManager(ApplicationContext applicationContext) {
		this.applicationContext = applicationContext;
	}

	@Override
	protected ELResolver createElResolver() {
		CompositeELResolver resolver = new CompositeELResolver();
		resolver.add(new Guard());
		resolver.add(new VariableScopeElResolver());
		resolver.add(new VariableContextElResolver());
		resolver.add(new DelegateBeans(this.applicationContext));
		resolver.add(new ArrayELResolver(true));
		resolver.add(new ListELResolver(true));
		resolver.add(new MapELResolver(true));
		resolver.add(new BeanELResolver());
		return resolver;
	}

	/** Whether a diagram may name this bean: one of our delegates or listeners, and nothing else. */
	static boolean isDelegateBean(ApplicationContext context, String name) {
		if (!context.containsBean(name) || !context.isSingleton(name)) {
			return false;
		}
		Class<?> type = context.getType(name);
		return type != null && type.getName().startsWith(BEAN_PACKAGE)
				&& (JavaDelegate.class.isAssignableFrom(type) || TaskListener.class.isAssignableFrom(type)
						|| ExecutionListener.class.isAssignableFrom(type));
	}

	/** Resolves top-level names that are delegate beans; leaves every other name unresolved. */
	static final class DelegateBeans extends Passive {

		private final ApplicationContext context;

		DelegateBeans(ApplicationContext context) {
			this.context = context;
		}

		@Override
		public Object getValue(ELContext elContext, Object base, Object property) {
			if (base == null && property instanceof String name && isDelegateBean(this.context, name)) {
				elContext.setPropertyResolved(true);
				return this.context.getBean(name);
			}
			return null;
		}

	}

	/** A resolver that resolves nothing unless a subclass says so: what JUEL asks besides values. */
	abstract static class Passive extends ELResolver {

		@Override
		public Class<?> getType(ELContext elContext, Object base, Object property) {
			return null;
		}

		@Override
		public void setValue(ELContext elContext, Object base, Object property, Object value) {
		}

		@Override
		public boolean isReadOnly(ELContext elContext, Object base, Object property) {
			return false;
		}

		@Override
		public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext elContext, Object base) {
			return null;
		}

		@Override
		public Class<?> getCommonPropertyType(ELContext elContext, Object base) {
			return null;
		}

	}

	/**
	 * Sees every property and method access first and refuses those that lead out of the playbook API. It never
	 * resolves anything itself.
	 */
	static final class Guard extends Passive {

		private static final Set<String> REFUSED_MEMBERS = Set.of("class", "getClass", "classLoader",
				"getClassLoader", "contextClassLoader", "getContextClassLoader", "forName", "newInstance",
				"getDeclaredConstructor", "getConstructor", "getMethod", "getDeclaredMethod", "getField",
				"getDeclaredField", "invoke", "exec", "getRuntime", "processEngineServices", "getProcessEngineServices",
				"processEngine", "getProcessEngine", "getBean", "applicationContext", "getApplicationContext");

		private static final Set<String> REFUSED_TYPES = Set.of("java.lang.Class", "java.lang.ClassLoader",
				"java.lang.Runtime", "java.lang.ProcessBuilder", "java.lang.System", "java.lang.Thread",
				"java.lang.invoke.MethodHandles");

		@Override
		public Object getValue(ELContext elContext, Object base, Object property) {
			check(base, property);
			return null;
		}

		@Override
		public Object invoke(ELContext elContext, Object base, Object method, Class<?>[] paramTypes,
				Object[] params) {
			check(base, method);
			return null;
		}

		@Override
		public void setValue(ELContext elContext, Object base, Object property, Object value) {
			check(base, property);
		}

		private static void check(Object base, Object member) {
			if (base == null) {
				return;
			}
			String name = String.valueOf(member);
			if (REFUSED_MEMBERS.contains(name) || REFUSED_TYPES.contains(base.getClass().getName())
					|| base instanceof Class<?> || base instanceof ClassLoader
					|| base.getClass().getName().startsWith("java.lang.reflect.")) {
				throw new ProcessEngineException("Refused by the expression guard: '" + name + "' on "
						+ base.getClass().getSimpleName() + " leads outside the playbook API");
			}
		}

		@Override
		public Class<?> getType(ELContext elContext, Object base, Object property) {
			check(base, property);
			return null;
		}

	}

}
